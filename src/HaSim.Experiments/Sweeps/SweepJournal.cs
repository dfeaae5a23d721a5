using System.Text;

namespace HaSim.Experiments.Sweeps;

/// <summary>
/// runs.journal: every finished run of a sweep directory, one checksummed line each, appended with
/// a single write and flushed to disk before the next run is reported done. A sweep killed at any
/// moment leaves at most one torn line at the end; opening the journal cuts it off, so a restarted
/// sweep skips exactly the runs that finished and repeats none.
/// </summary>
public sealed class SweepJournal : IDisposable
{
    public const string FileName = "runs.journal";

    private readonly FileStream _stream;
    private readonly Lock _lock = new();

    private SweepJournal(FileStream stream, IReadOnlyList<RunRecord> records)
    {
        _stream = stream;
        Records = records;
    }

    /// <summary>The runs already in the journal when it was opened.</summary>
    public IReadOnlyList<RunRecord> Records { get; }

    /// <summary>Opens (or creates) the journal in <paramref name="directory"/>, dropping a torn or corrupt tail.</summary>
    public static SweepJournal Open(string directory)
    {
        var path = Path.Combine(directory, FileName);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var (records, validLength) = ReadValid(stream);
        if (validLength < stream.Length)
        {
            stream.SetLength(validLength); // the line a kill interrupted
        }
        stream.Seek(0, SeekOrigin.End);
        return new SweepJournal(stream, records);
    }

    /// <summary>The records of the journal at <paramref name="path"/>, read only (for merging shards).</summary>
    public static IReadOnlyList<RunRecord> Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return ReadValid(stream).Records;
    }

    public void Append(RunRecord record)
    {
        var bytes = Encoding.UTF8.GetBytes(record.ToJournalLine());
        lock (_lock)
        {
            _stream.Write(bytes);
            _stream.Flush(flushToDisk: true);
        }
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>Every complete, intact line from the start; stops at the first one that is not.</summary>
    private static (List<RunRecord> Records, long ValidLength) ReadValid(FileStream stream)
    {
        stream.Seek(0, SeekOrigin.Begin);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var records = new List<RunRecord>();
        var start = 0;
        while (start < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', start);
            if (end < 0)
            {
                break;
            }
            var record = RunRecord.FromJournalLine(Encoding.UTF8.GetString(bytes, start, end - start));
            if (record is null)
            {
                break;
            }
            records.Add(record);
            start = end + 1;
        }
        return (records, start);
    }
}
