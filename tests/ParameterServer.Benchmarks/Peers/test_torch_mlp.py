"""torch_mlp's normalization and model shape against hand arithmetic (skipped where torch is missing)."""

import importlib.util
import unittest

HAS_TORCH = importlib.util.find_spec("torch") is not None


@unittest.skipUnless(HAS_TORCH, "torch is not importable (run ensure-torch.sh)")
class TorchMlpTests(unittest.TestCase):
    def setUp(self):
        import torch
        import torch_mlp
        self.torch, self.mlp = torch, torch_mlp

    def test_mean_and_std_are_those_of_the_scaled_pixels(self):
        # Pixels 0, 255, 51 scale to 0, 1, 0.2: mean 0.4; population variance
        # (0.4^2 + 0.6^2 + 0.2^2) / 3 = 0.56 / 3, std = 0.4320494...
        mean, std = self.mlp.mean_and_std(self.torch, self.torch.tensor([[0, 255, 51]], dtype=self.torch.uint8))
        self.assertAlmostEqual(mean, 0.4, places=12)
        self.assertAlmostEqual(std, (0.56 / 3) ** 0.5, places=12)

    def test_model_is_784_256_128_10_with_zero_biases(self):
        model = self.mlp.build_model(self.torch, "he", self.torch.device("cpu"))
        linears = [m for m in model if isinstance(m, self.torch.nn.Linear)]
        self.assertEqual([(m.in_features, m.out_features) for m in linears], [(784, 256), (256, 128), (128, 10)])
        # 784*256 + 256 + 256*128 + 128 + 128*10 + 10 = 235,146 parameters.
        self.assertEqual(sum(p.numel() for p in model.parameters()), 235146)
        self.assertTrue(all(m.bias.abs().sum().item() == 0 for m in linears))


if __name__ == "__main__":
    unittest.main()
