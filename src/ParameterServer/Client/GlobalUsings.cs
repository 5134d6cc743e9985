// Orleans' implicit usings bring Orleans.ErrorCode into scope; the client's refusals are the contracts' codes.
global using ErrorCode = ParameterServer.Contracts.ErrorCode;
