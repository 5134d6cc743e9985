namespace ParameterServer.Kernels;

/// <summary>Length checks shared by the kernels: a mismatch is a caller's bug, never silently truncated.</summary>
public static class Shapes
{
    public static void Check(int expected, int actual)
    {
        if (actual != expected) throw new ArgumentException($"length {actual} does not match {expected}");
    }

    public static void Check(int expected, int a, int b)
    {
        Check(expected, a);
        Check(expected, b);
    }

    public static void Check(int expected, int a, int b, int c)
    {
        Check(expected, a, b);
        Check(expected, c);
    }
}
