namespace ParameterServer.Benchmarks.Report;

/// <summary>
/// Where a benchmark hands its figures: each benchmark adds what it measured, the report prints and writes them all,
/// and later steps (the scaling model) read earlier ones by id.
/// </summary>
public sealed class FigureSink
{
    private readonly List<Figure> _figures = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public void Add(Figure figure)
    {
        if (Find(figure.Id) is not null)
            throw new InvalidOperationException($"figure '{figure.Id}' was added twice");
        _figures.Add(figure);
    }

    public void NotMeasured(string id, string section, string name, string reason) =>
        Add(Figure.NotMeasured(id, section, name, reason));

    /// <summary>The figure with this id, if it was added.</summary>
    public Figure? Find(string id)
    {
        foreach (var figure in _figures)
        {
            if (figure.Id == id) return figure;
        }
        return null;
    }

    /// <summary>The measured value of a figure, or null when it is missing or not measured.</summary>
    public double? Value(string id) => Find(id)?.Ours;
}
