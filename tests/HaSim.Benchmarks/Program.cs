using BenchmarkDotNet.Running;

// BenchmarkDotNet exits 0 even when a benchmark failed; CI runs these as a dry job, so a failed
// report must fail the process for the benchmarks not to rot unnoticed.
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
