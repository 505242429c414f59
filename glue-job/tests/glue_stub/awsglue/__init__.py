"""Test-only stand-in for the parts of AWS Glue's `awsglue` the job uses.

Catalog tables are whatever DataFrame a test registers in `context.CATALOG`;
every catalog read, `Job.init` and `Job.commit` is appended to `context.CALLS`.
"""
