using System.Runtime.Versioning;

// The launcher tests start sh and sleep and make scripts executable: this test assembly runs on Linux.
[assembly: SupportedOSPlatform("linux")]
