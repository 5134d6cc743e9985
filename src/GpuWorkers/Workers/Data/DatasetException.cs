namespace ParameterServer.Workers.Data;

/// <summary>A data set that is missing or malformed; the message names the file and says what is wrong with it.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string message) : base(message)
    {
    }

    public DatasetException(string message, Exception inner) : base(message, inner)
    {
    }
}
