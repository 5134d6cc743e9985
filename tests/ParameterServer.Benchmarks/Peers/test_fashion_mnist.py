"""The IDX reader against files built by hand here: /usr/bin/python3 -m unittest discover -s <this folder>."""

import gzip
import os
import struct
import tempfile
import unittest

import fashion_mnist
from fashion_mnist import IdxError


def idx(dims, payload, kind=0x08):
    """IDX bytes written from the format's definition: 0x0000, type, rank, big-endian uint32 dims, payload."""
    return struct.pack(">HBB", 0, kind, len(dims)) + struct.pack(f">{len(dims)}I", *dims) + bytes(payload)


class ParseIdxTests(unittest.TestCase):
    def test_reads_dimensions_and_payload(self):
        dims, payload = fashion_mnist.parse_idx(idx([2, 2, 3], range(12)))
        self.assertEqual(dims, [2, 2, 3])
        self.assertEqual(bytes(payload), bytes(range(12)))

    def test_refuses_a_bad_magic_number(self):
        for bad in (b"\x01" + idx([1], [0])[1:], idx([1], [0], kind=0x0D), b"\x00\x00\x08\x00"):
            with self.assertRaisesRegex(IdxError, "bad magic"):
                fashion_mnist.parse_idx(bad)

    def test_refuses_a_truncated_header(self):
        with self.assertRaisesRegex(IdxError, "truncated header"):
            fashion_mnist.parse_idx(idx([2, 2, 3], range(12))[:10])

    def test_refuses_a_truncated_payload(self):
        # 4 + 3 * 4 header bytes + 12 pixels = 28 bytes needed, 27 given.
        with self.assertRaisesRegex(IdxError, "need 28 bytes, the file holds 27"):
            fashion_mnist.parse_idx(idx([2, 2, 3], range(12))[:-1])

    def test_refuses_trailing_bytes(self):
        with self.assertRaisesRegex(IdxError, "need 28 bytes, the file holds 29"):
            fashion_mnist.parse_idx(idx([2, 2, 3], range(13)))


class LoadTests(unittest.TestCase):
    def setUp(self):
        self._dir = tempfile.TemporaryDirectory()
        self.dir = self._dir.name

    def tearDown(self):
        self._dir.cleanup()

    def write(self, key, data, gz=True):
        path = os.path.join(self.dir, fashion_mnist.FILES[key] + (".gz" if gz else ""))
        with (gzip.open if gz else open)(path, "wb") as f:
            f.write(data)

    def write_set(self, train_labels=(3, 9), gz=True):
        self.write("train_images", idx([2, 2, 2], range(8)), gz)
        self.write("train_labels", idx([len(train_labels)], train_labels), gz)
        self.write("test_images", idx([1, 2, 2], [255] * 4), gz)
        self.write("test_labels", idx([1], [7]), gz)

    def test_reads_gzip_and_raw_files(self):
        for gz in (True, False):
            with self.subTest(gz=gz):
                self.tearDown()
                self.setUp()
                self.write_set(gz=gz)
                sets = fashion_mnist.load(self.dir)
                self.assertEqual((sets["train"].count, sets["train"].pixels_per_image), (2, 4))
                self.assertEqual(bytes(sets["train"].images), bytes(range(8)))
                self.assertEqual(bytes(sets["train"].labels), bytes([3, 9]))
                self.assertEqual(bytes(sets["test"].images), bytes([255] * 4))
                self.assertEqual(bytes(sets["test"].labels), bytes([7]))

    def test_refuses_a_count_mismatch(self):
        self.write_set(train_labels=(3, 9, 1))
        with self.assertRaisesRegex(IdxError, "train: 2 images but 3 labels"):
            fashion_mnist.load(self.dir)

    def test_refuses_a_label_outside_the_ten_classes(self):
        self.write_set(train_labels=(3, 10))
        with self.assertRaisesRegex(IdxError, "label 10 is outside 0..9"):
            fashion_mnist.load(self.dir)

    def test_refuses_a_cut_gzip_stream(self):
        self.write_set()
        path = os.path.join(self.dir, fashion_mnist.FILES["train_images"] + ".gz")
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[:-12])
        with self.assertRaisesRegex(IdxError, "cannot be read"):
            fashion_mnist.load(self.dir)

    def test_names_a_missing_file(self):
        with self.assertRaisesRegex(FileNotFoundError, "train-images-idx3-ubyte"):
            fashion_mnist.load(self.dir)


@unittest.skipUnless(os.path.isdir(fashion_mnist.DEFAULT_DIR), "dataset-fashion-mnist is not installed")
class InstalledSetTests(unittest.TestCase):
    def test_has_the_published_shape_and_first_labels(self):
        sets = fashion_mnist.load()
        self.assertEqual((sets["train"].count, sets["test"].count, sets["train"].pixels_per_image), (60000, 10000, 784))
        # The first training labels of Fashion-MNIST: ankle boot, T-shirt, T-shirt, dress, T-shirt.
        self.assertEqual(list(sets["train"].labels[:5]), [9, 0, 0, 3, 0])


if __name__ == "__main__":
    unittest.main()
