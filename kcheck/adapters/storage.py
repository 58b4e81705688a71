"""Blob storage port with a local-folder and an S3 backend. Keys are always made by the server."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9/_.-]{0,199}$")
DELETE_BATCH = 1000


class StorageError(Exception):
    """The storage backend failed or is unreachable."""


class BlobNotFound(StorageError, FileNotFoundError):
    pass


class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete_many(self, keys: Iterable[str]) -> list[str]:
        """Delete keys (missing ones count as deleted); return the keys that could not be deleted."""
        ...
    def list_keys(self, prefix: str = "") -> Iterator[str]: ...
    def ping(self) -> None: ...


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key) or ".." in key:
        raise ValueError("invalid blob key")
    return key


class LocalBlobStore:
    """A folder on disk; writes are atomic (temporary file + rename)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            raise StorageError("local storage write failed") from exc

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        except OSError as exc:
            raise StorageError("local storage read failed") from exc

    def delete_many(self, keys: Iterable[str]) -> list[str]:
        failed = []
        for key in keys:
            try:
                self._path(key).unlink(missing_ok=True)
            except OSError:
                failed.append(key)
        return failed

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith(".tmp-"):
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    yield key

    def ping(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if not os.access(self.root, os.W_OK):
                raise StorageError("storage folder is not writable")
        except OSError as exc:
            raise StorageError("storage folder unavailable") from exc


class S3BlobStore:
    """Any S3 API through boto3; vendor errors become StorageError here and nowhere else."""

    def __init__(self, client, bucket: str):
        self.client = client
        self.bucket = bucket

    @classmethod
    def from_settings(cls, settings) -> S3BlobStore:
        import boto3
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=settings.s3_secret_access_key or None,
            config=Config(
                connect_timeout=3, read_timeout=10, retries={"max_attempts": 3, "mode": "standard"}
            ),
        )
        return cls(client, settings.s3_bucket)

    def _call(self, method: str, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise BlobNotFound(kwargs.get("Key", "")) from exc
            raise StorageError(f"S3 {method} failed: {code}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"S3 {method} failed: {type(exc).__name__}") from exc

    def put(self, key: str, data: bytes) -> None:
        self._call("put_object", Key=check_key(key), Body=data,
                   ContentType="application/octet-stream")

    def get(self, key: str) -> bytes:
        return self._call("get_object", Key=check_key(key))["Body"].read()

    def delete_many(self, keys: Iterable[str]) -> list[str]:
        keys = list(keys)
        failed: list[str] = []
        for start in range(0, len(keys), DELETE_BATCH):
            batch = keys[start : start + DELETE_BATCH]
            try:
                response = self._call(
                    "delete_objects",
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
            except StorageError:
                failed.extend(batch)
                continue
            failed.extend(err["Key"] for err in response.get("Errors", []))
        return failed

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        token = None
        while True:
            kwargs = {"Prefix": prefix, "MaxKeys": 1000}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("list_objects_v2", **kwargs)
            for item in page.get("Contents", []):
                yield item["Key"]
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]

    def ping(self) -> None:
        self._call("head_bucket")

    def ensure_bucket(self, lifecycle_days: int = 4) -> None:
        """Create the bucket if needed and set the lifecycle backstop (expiry, noncurrent too)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self._call("create_bucket")
        self._call(
            "put_bucket_lifecycle_configuration",
            LifecycleConfiguration={
                "Rules": [{
                    "ID": "kcheck-retention-backstop",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Expiration": {"Days": lifecycle_days},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                }]
            },
        )


def storage_from_settings(settings) -> BlobStore:
    if settings.storage_backend == "s3":
        return S3BlobStore.from_settings(settings)
    return LocalBlobStore(settings.storage_path)
