"""Where each job runs and for how long; importing this pulls in no job code."""

from kcheck.adapters.queue import JobSpec

CHECK_PHOTO = JobSpec(queue="quality", timeout=30, result_ttl=0, failure_ttl=3600)
DELIVER_WEBHOOK = JobSpec(queue="webhooks", timeout=30, result_ttl=0, failure_ttl=24 * 3600)
MAINTENANCE = JobSpec(queue="maintenance", timeout=300, result_ttl=0, failure_ttl=24 * 3600)

CHECK_PHOTO_FUNC = "kcheck.workers.quality_job.check_photo"
DELIVER_WEBHOOK_FUNC = "kcheck.workers.webhooks.deliver"
