namespace ParameterServer.Contracts;

/// <summary>Why a request was refused. Every refusal leaves the parameter state unchanged.</summary>
[GenerateSerializer]
public enum ErrorCode
{
    Unknown = 0,
    UnknownModel = 1,
    UnknownTable = 2,
    UnknownShard = 3,
    InvalidSpec = 4,
    /// <summary>A model or shard exists with a different spec.</summary>
    SpecMismatch = 5,
    /// <summary>A payload whose byte length does not match its rows, columns and encoding.</summary>
    WrongLength = 6,
    UnknownEncoding = 7,
    RowsOutOfRange = 8,
    /// <summary>NaN or Inf in a gradient.</summary>
    NonFinite = 9,
    /// <summary>A request larger than <see cref="Limits.MaxMessageBytes"/>, refused before it is sent.</summary>
    MessageTooLarge = 10,
    /// <summary>
    /// A worker id that is not a member of the job (never joined, left, or its lease expired), also in a BSP push for a
    /// clock, which only the job's workers may send.
    /// </summary>
    UnknownWorker = 11,
    /// <summary>A checkpoint that fails its checksum or cannot be decoded.</summary>
    CorruptCheckpoint = 12,
    InvalidArgument = 13,
    /// <summary>The cluster cannot be reached.</summary>
    Unavailable = 14,
    /// <summary>
    /// A push commit whose token names no push staged on the shard's silo: expired, already committed, or sent to a
    /// silo the shard has left. Nothing was applied; the client sends the bytes again.
    /// </summary>
    UnknownToken = 15,
    /// <summary>
    /// A push whose <see cref="PushId"/> is older than the pushes its shard remembers from the same writer: whether it
    /// was applied cannot be told, so it is not applied (again).
    /// </summary>
    StalePush = 16,
    /// <summary>
    /// A model whose values and optimizer slots take more memory than the silos allow one model (the silo option
    /// Models:MaxModelBytes); refused before any shard is set up.
    /// </summary>
    ModelTooLarge = 17,
}
