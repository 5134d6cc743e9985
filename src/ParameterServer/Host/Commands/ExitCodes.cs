using Microsoft.Extensions.Options;
using Orleans.Runtime.Messaging;
using ParameterServer.Contracts;
using ErrorCode = ParameterServer.Contracts.ErrorCode;

namespace ParameterServer.Host.Commands;

/// <summary>The exit codes of <c>paramserver</c>, one per kind of failure, so scripts can tell them apart.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Unexpected = 1;
    public const int Usage = 2;
    public const int Unavailable = 3;
    public const int NotFound = 4;
    public const int Refused = 5;
    public const int FileError = 6;

    /// <summary>The lines of <c>--help</c> that document the codes.</summary>
    public static readonly string[] Help =
    [
        $"{Ok}  success",
        $"{Unexpected}  unexpected error",
        $"{Usage}  bad arguments or configuration",
        $"{Unavailable}  the cluster cannot be reached",
        $"{NotFound}  unknown model or table",
        $"{Refused}  the parameter server refused the request (invalid or mismatching spec, bad input)",
        $"{FileError}  the output file cannot be written",
    ];

    public static int For(Exception e) => e switch
    {
        // Configuration the silo's options validators refused at start.
        UsageException or OptionsValidationException or OrleansConfigurationException => Usage,
        ParameterServerException p => p.Code switch
        {
            ErrorCode.Unavailable => Unavailable,
            ErrorCode.UnknownModel or ErrorCode.UnknownTable or ErrorCode.UnknownShard => NotFound,
            ErrorCode.InvalidArgument or ErrorCode.RowsOutOfRange => Usage,
            _ => Refused,
        },
        // The cluster went away after the client connected.
        SiloUnavailableException or ConnectionFailedException or TimeoutException => Unavailable,
        IOException or UnauthorizedAccessException => FileError,
        _ => Unexpected,
    };
}
