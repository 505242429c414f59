from awsglue.context import CALLS


class Job:
    def __init__(self, glue_context):
        self._glue_context = glue_context

    def init(self, job_name, args=None):
        CALLS.append(("init", job_name, dict(args or {})))

    def commit(self):
        CALLS.append(("commit",))
