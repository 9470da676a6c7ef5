// Integration tests share two CPU cores and each runs real brokers and pipelines: one at a time keeps
// them from starving each other into timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
