global using Xunit;
// Orleans' implicit usings bring Orleans.ErrorCode (its log event ids); ours is the refusal reason.
global using ErrorCode = ParameterServer.Contracts.ErrorCode;
