#!/usr/bin/env python3
"""Runs moto's server with named start-up patches, each filling one gap where moto does not behave
as AWS documents (../shared/GUIDE.md section 11). scripts/moto_launcher.py starts this in place of
moto_server when given --patch NAME; a test asks for a patch by name (test/integration/support).

    python3 scripts/moto_patches.py --patch NAME [--patch NAME ...] [moto_server's arguments]

The patches:

  s3-eventbridge-readback  GetBucketNotificationConfiguration answers EventBridgeConfiguration once
                           it is set, as S3 does. Moto stores it (and delivers events to EventBridge)
                           but leaves it out of its answer, so an `up` reading it back would find it
                           off and send it again every time.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def _s3_eventbridge_readback() -> None:
    from moto.s3.responses import S3Response

    original = S3Response.get_bucket_notification

    def get_bucket_notification(self: Any) -> Any:
        config = self.backend.get_bucket_notification_configuration(self.bucket_name)
        if config is None or config.event_bridge is None:
            return original(self)

        def build(item: Any, arn_key: str) -> dict[str, Any]:
            entry: dict[str, Any] = {"Id": item.id, arn_key: item.arn, "Events": item.events}
            if item.filters:
                entry["Filter"] = {"Key": {"FilterRules": item.filters["S3Key"]["FilterRule"]}}
            return entry

        from moto.core.responses import ActionResult

        result = {
            "TopicConfigurations": [build(t, "TopicArn") for t in config.topic],
            "QueueConfigurations": [build(q, "QueueArn") for q in config.queue],
            "LambdaFunctionConfigurations": [build(f, "LambdaFunctionArn") for f in config.cloud_function],
            "EventBridgeConfiguration": {},
        }
        self.data["Action"] = "GetBucketNotificationConfiguration"
        return self.serialized(ActionResult(result))

    S3Response.get_bucket_notification = get_bucket_notification  # type: ignore[method-assign]


PATCHES: dict[str, Callable[[], None]] = {"s3-eventbridge-readback": _s3_eventbridge_readback}


def main(argv: list[str]) -> None:
    rest: list[str] = []
    names: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--patch":
            names.append(next(args))
        else:
            rest.append(arg)
    for name in names:
        if name not in PATCHES:
            sys.exit(f"moto_patches: unknown patch {name!r}; known: {', '.join(sorted(PATCHES))}")
        PATCHES[name]()
    from moto.server import main as moto_server

    moto_server(rest)


if __name__ == "__main__":
    main(sys.argv[1:])
