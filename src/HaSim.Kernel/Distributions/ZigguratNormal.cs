using System.Runtime.CompilerServices;

namespace HaSim.Kernel.Distributions;

/// <summary>
/// Standard normal draws by the ziggurat method (Marsaglia and Tsang, Journal of Statistical
/// Software 5(8), 2000), in Doornik's floating-point form (2005) with 256 layers. The lognormal
/// sampler's hot path: a latency is drawn for every message hop, disk flush and transaction size,
/// and AS 241's rational functions plus the exp were a sixth of an exploration's time.
/// </summary>
/// <remarks>
/// The area under e^(-x²/2) for x &gt;= 0 is cut into 256 horizontal layers of equal area: 255
/// rectangles and a base made of a rectangle and the tail beyond <see cref="TailStart"/>. A draw
/// picks a layer and a point across it (one 64-bit random number: the low 8 bits choose the layer,
/// the top 53 the point, and the sign comes with the point). In 98.5% of draws the point lies
/// under the layer above's edge, entirely under the curve, and is returned at once. Otherwise it
/// lies in the layer's wedge, accepted if under the curve (one more uniform) or drawn again, or in
/// the tail, drawn by Marsaglia's exponential method. The result is exactly normal, up to the
/// rounding of doubles. A draw takes 1.022 random numbers on average, and how many varies with the
/// values drawn (as with the gamma sampler), unlike inverse-transform sampling.
/// </remarks>
internal static class ZigguratNormal
{
    private const int Layers = 256;

    /// <summary>Where the tail starts: the r that makes 256 layers of equal area close at the top (Marsaglia and Tsang's table, checked by bisection).</summary>
    internal const double TailStart = 3.6541528853610088;

    /// <summary>Each layer's area under e^(-x²/2): r·e^(-r²/2) plus the tail's area, sqrt(pi/2)·erfc(r/sqrt 2).</summary>
    internal const double LayerArea = 4.928673233974658e-3;

    // Edges[i] is layer i's right edge: Edges[0] is the base rectangle's width stretched to the base's
    // whole area (LayerArea / e^(-r²/2)), Edges[1] = r, Edges[256] = 0. Layer i spans heights
    // e^(-Edges[i]²/2) to e^(-Edges[i+1]²/2).
    private static readonly double[] Edges = BuildEdges();

    // InnerShare[i] = Edges[i + 1] / Edges[i]: a point of layer i within this share of its width
    // lies under the layer above's edge, so under the curve.
    private static readonly double[] InnerShare = BuildInnerShares(Edges);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Next(SimRandom rng)
    {
        var bits = rng.NextUInt64();
        var layer = (int)(bits & (Layers - 1));
        var u = 2 * SimRandom.UnitFromBits(bits) - 1; // in [-1, 1), from the top 53 bits
        if (Math.Abs(u) < InnerShare[layer])
        {
            return u * Edges[layer];
        }
        return OutsideTheRectangle(rng, layer, u);
    }

    /// <summary>The 1.5% of draws past the layer above's edge: the tail, or the wedge's test and, failing it, a new draw.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static double OutsideTheRectangle(SimRandom rng, int layer, double u)
    {
        if (layer == 0)
        {
            return Tail(rng, negative: u < 0);
        }
        var x = u * Edges[layer];
        // Heights relative to the curve at x: the layer's bottom (f0 < 1) and top (f1 > 1).
        var f0 = Math.Exp(-0.5 * (Edges[layer] * Edges[layer] - x * x));
        var f1 = Math.Exp(-0.5 * (Edges[layer + 1] * Edges[layer + 1] - x * x));
        return f1 + rng.NextOpenUnit() * (f0 - f1) < 1.0 ? x : Next(rng);
    }

    /// <summary>Beyond r: Marsaglia's method (1964), x = -ln(U1)/r accepted when -2 ln(U2) &gt; x².</summary>
    private static double Tail(SimRandom rng, bool negative)
    {
        double x;
        double y;
        do
        {
            x = -Math.Log(rng.NextOpenUnit()) / TailStart;
            y = -Math.Log(rng.NextOpenUnit());
        }
        while (y + y < x * x);
        return negative ? -(TailStart + x) : TailStart + x;
    }

    private static double[] BuildEdges()
    {
        var edges = new double[Layers + 1];
        var f = Math.Exp(-0.5 * TailStart * TailStart);
        edges[0] = LayerArea / f;
        edges[1] = TailStart;
        for (var i = 2; i < Layers; i++)
        {
            // Layer i-1 has area LayerArea = Edges[i-1] * (e^(-Edges[i]²/2) - e^(-Edges[i-1]²/2)).
            edges[i] = Math.Sqrt(-2 * Math.Log(LayerArea / edges[i - 1] + f));
            f = Math.Exp(-0.5 * edges[i] * edges[i]);
        }
        edges[Layers] = 0;
        return edges;
    }

    private static double[] BuildInnerShares(double[] edges)
    {
        var shares = new double[Layers];
        for (var i = 0; i < Layers; i++)
        {
            shares[i] = edges[i + 1] / edges[i];
        }
        return shares;
    }

    /// <summary>The top layer's area, from the edges as built: <see cref="LayerArea"/> when r is right (for tests).</summary>
    internal static double TopLayerArea => Edges[Layers - 1] * (1 - Math.Exp(-0.5 * Edges[Layers - 1] * Edges[Layers - 1]));
}
