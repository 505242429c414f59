#!/usr/bin/env python3
"""A stand-in for the credentials endpoint that ECS (and EKS Pod Identity)
offers a container with a task role: the AWS SDKs fetch temporary credentials
from AWS_CONTAINER_CREDENTIALS_FULL_URI, sending AWS_CONTAINER_AUTHORIZATION_TOKEN.

Usage: container-credentials.py PORT TOKEN REQUEST_LOG
Serves on 127.0.0.1:PORT; answers GET /credentials with fake temporary
credentials when the Authorization header equals TOKEN, 401 otherwise, and
appends one line per request to REQUEST_LOG. Standard library only.
"""

import datetime
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    port, token, request_log = int(sys.argv[1]), sys.argv[2], sys.argv[3]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            authorized = self.headers.get("Authorization") == token
            with open(request_log, "a", encoding="utf-8") as log:
                log.write(f"{self.command} {self.path} authorized={authorized}\n")
            if self.path != "/credentials" or not authorized:
                self.send_response(404 if authorized else 401)
                self.end_headers()
                return
            expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
            body = json.dumps(
                {
                    "AccessKeyId": "ASIACONTAINERROLE000",
                    "SecretAccessKey": "container-role-secret",
                    "Token": "container-role-session-token",
                    "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "RoleArn": "arn:aws:iam::123456789012:role/provisioner-task",
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main()
