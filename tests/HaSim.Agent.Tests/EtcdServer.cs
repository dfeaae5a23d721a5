using System.Diagnostics;

namespace HaSim.Agent.Tests;

/// <summary>A one-member etcd on 127.0.0.1 in its own directory, stopped by its pid on dispose.</summary>
internal sealed class EtcdServer : IDisposable
{
    private readonly Process _process;

    private EtcdServer(Process process, Uri clientUrl, string logFile)
    {
        _process = process;
        ClientUrl = clientUrl;
        LogFile = logFile;
    }

    public Uri ClientUrl { get; }

    public string LogFile { get; }

    public int Pid => _process.Id;

    public static EtcdServer Start(string dir)
    {
        var client = Tools.FreePort();
        var peer = Tools.FreePort();
        var clientUrl = $"http://127.0.0.1:{client}";
        var peerUrl = $"http://127.0.0.1:{peer}";
        var log = Path.Combine(dir, "etcd.log");
        var process = Tools.StartToFile(Tools.Etcd!,
        [
            "--name", "etcd1", "--data-dir", Path.Combine(dir, "etcd-data"),
            "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
            "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl,
            "--initial-cluster", $"etcd1={peerUrl}",
        ], log);
        var server = new EtcdServer(process, new Uri(clientUrl), log);
        try
        {
            server.WaitReady();
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    private void WaitReady()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"etcd exited with {_process.ExitCode}: {File.ReadAllText(LogFile)}");
            }
            try
            {
                using var response = http.PostAsync(new Uri(ClientUrl, "/v3/kv/range"), new StringContent("{\"key\":\"AA==\"}")).Result;
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (AggregateException)
            {
            }
            Thread.Sleep(100);
        }
        throw new TimeoutException("etcd did not answer within 20 s");
    }

    public void Dispose()
    {
        Tools.Stop(_process.Id, Tools.SigTerm, TimeSpan.FromSeconds(5));
        _process.WaitForExit(5000);
        _process.Dispose();
    }
}
