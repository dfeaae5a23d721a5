namespace HaSim.Model.Tests.Dcs;

/// <summary>A scripted network for the DCS tests: members on sides of a partition, plus one-way cuts.</summary>
internal sealed class TestNetwork(int members)
{
    private readonly int[] _side = new int[members];
    private readonly SortedSet<(int From, int To)> _cuts = [];

    public bool Reachable(int from, int to) => _side[from] == _side[to] && !_cuts.Contains((from, to));

    /// <summary>Each group on its own side; members not named stay on side 0.</summary>
    public void Partition(params int[][] groups)
    {
        Array.Clear(_side);
        for (var g = 0; g < groups.Length; g++)
        {
            foreach (var member in groups[g])
            {
                _side[member] = g + 1;
            }
        }
    }

    public void CutOneWay(int from, int to) => _cuts.Add((from, to));

    public void Heal()
    {
        Array.Clear(_side);
        _cuts.Clear();
    }
}
