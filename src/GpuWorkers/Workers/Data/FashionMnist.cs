namespace ParameterServer.Workers.Data;

/// <summary>
/// Fashion-MNIST (Xiao et al., 2017): 60,000 training and 10,000 test images of 28 x 28 pixels in 10 classes,
/// read from a directory holding its four IDX files, raw or gzip.
/// Example: <c>var data = FashionMnist.Load(); var train = data.Train;</c>
/// </summary>
public sealed class FashionMnist
{
    /// <summary>Where the Debian package dataset-fashion-mnist installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    public const int Classes = 10;

    /// <summary>The four files, without ".gz": training images and labels, test images and labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private FashionMnist(LabeledImages train, LabeledImages test)
    {
        Train = train;
        Test = test;
    }

    public LabeledImages Train { get; }

    public LabeledImages Test { get; }

    /// <summary>The paths of the four files in a directory, each found raw or with ".gz".</summary>
    public sealed record Files(string TrainImages, string TrainLabels, string TestImages, string TestLabels);

    /// <summary>Finds the four files, or throws a <see cref="DatasetException"/> that says how to get them.</summary>
    public static Files Locate(string? directory = null)
    {
        directory ??= DefaultDirectory;
        if (!Directory.Exists(directory))
            throw Missing($"the directory {directory} does not exist");

        var paths = new string[FileNames.Count];
        var missing = new List<string>();
        for (var i = 0; i < paths.Length; i++)
        {
            var raw = Path.Combine(directory, FileNames[i]);
            paths[i] = File.Exists(raw) ? raw : raw + ".gz";
            if (!File.Exists(paths[i]))
                missing.Add(FileNames[i]);
        }
        if (missing.Count > 0)
            throw Missing($"{directory} has no {string.Join(", ", missing)} (raw or .gz)");
        return new Files(paths[0], paths[1], paths[2], paths[3]);
    }

    /// <summary>Reads and checks the training and test sets from <paramref name="directory"/> (default <see cref="DefaultDirectory"/>).</summary>
    public static FashionMnist Load(string? directory = null)
    {
        var files = Locate(directory);
        var train = LabeledImages.Read(files.TrainImages, files.TrainLabels);
        var test = LabeledImages.Read(files.TestImages, files.TestLabels);
        if (train.Rows != test.Rows || train.Cols != test.Cols)
            throw new DatasetException($"{files.TrainImages} has {train.Rows} x {train.Cols} images but {files.TestImages} has {test.Rows} x {test.Cols}");
        CheckLabels(train, files.TrainLabels);
        CheckLabels(test, files.TestLabels);
        return new FashionMnist(train, test);
    }

    private static void CheckLabels(LabeledImages set, string path)
    {
        var labels = set.Labels;
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= Classes)
                throw new DatasetException($"{path}: label {labels[i]} of item {i} is not a class 0..{Classes - 1}");
        }
    }

    private static DatasetException Missing(string what) => new(
        $"Fashion-MNIST not found: {what}. On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` (as root) installs it "
        + $"to {DefaultDirectory}. Elsewhere, put its four IDX files ({string.Join(", ", FileNames)}; raw or .gz) "
        + "in a directory and pass --data DIR.");
}
