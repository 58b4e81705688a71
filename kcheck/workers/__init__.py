"""RQ jobs (thin: ids in, domain call, result stored) and the worker and scheduler processes."""
