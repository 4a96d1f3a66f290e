// Integration tests start real servers on loopback; running them one at a time keeps 2-core CI
// machines predictable and keeps labs on different address prefixes from competing for CPU.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
