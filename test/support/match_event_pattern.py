"""Matches events against an EventBridge pattern with moto's own matcher.

Moto answers TestEventPattern with an empty body (docs: ../shared/GUIDE.md section 11), so the tests
ask its matcher directly: the code that decides, in the emulator, which rules an event reaches.
Reads {"pattern": {...}, "events": [{...}, ...]} on stdin; prints a JSON list of booleans.
"""

import json
import sys

from moto.events.models import EventPattern


def main() -> None:
    request = json.load(sys.stdin)
    pattern = EventPattern.load(json.dumps(request["pattern"]))
    print(json.dumps([pattern.matches_event(event) for event in request["events"]]))


if __name__ == "__main__":
    main()
