"""Where the job runs: on AWS Glue, or on plain pyspark.

Everything that differs between the two lives here: finding out whether
`awsglue` is importable, opening the session (a GlueContext around the
SparkContext, or a plain SparkSession), `Job.init` and `Job.commit`. The rest
of the job sees a `Runtime` and does not care which one it got.

`commit()` is what advances Glue's job bookmarks, so the entry script calls it
only after every output and the report are written: a run that fails before
that is read again in full by the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from pyspark.sql import SparkSession

import options


class GlueModules(NamedTuple):
    """The three `awsglue` names the job uses."""

    glue_context: Any
    job: Any
    get_resolved_options: Callable[..., dict[str, str]]


def glue_modules() -> GlueModules | None:
    """The `awsglue` classes when running on Glue, else None."""
    try:
        from awsglue.context import GlueContext
        from awsglue.job import Job
        from awsglue.utils import getResolvedOptions
    except ImportError:
        return None
    return GlueModules(GlueContext, Job, getResolvedOptions)


@dataclass
class Runtime:
    """An open session; `glue_context` and `job` are None off Glue."""

    spark: SparkSession
    glue_context: Any = None
    job: Any = None

    @property
    def on_glue(self) -> bool:
        return self.glue_context is not None

    def commit(self) -> None:
        """Mark the run done for Glue (advances bookmarks); nothing to do off Glue."""
        if self.job is not None:
            self.job.commit()


def _job_arguments(glue: GlueModules, argv: Sequence[str], job_name: str) -> dict[str, str]:
    # Glue always passes --JOB_NAME; a hand-started run on a Glue image may not,
    # and getResolvedOptions fails on a missing argument.
    if any(arg == "--JOB_NAME" or arg.startswith("--JOB_NAME=") for arg in argv):
        return glue.get_resolved_options(list(argv), ["JOB_NAME"])
    return {"JOB_NAME": job_name}


def start(opts: options.JobOptions, argv: Sequence[str]) -> Runtime:
    """Open the session this environment offers, and start the Glue job if there is one.

    Raises OptionsError for catalog mode without `awsglue`, before any Spark starts.
    """
    glue = glue_modules()
    if glue is None:
        if not opts.reads_paths:
            raise options.OptionsError(
                "awsglue is not available, so the catalog cannot be read: "
                "give --flights_path and --airports_path"
            )
        return Runtime(spark=SparkSession.builder.appName(opts.job_name).getOrCreate())

    from pyspark.context import SparkContext

    glue_context = glue.glue_context(SparkContext.getOrCreate())
    job = glue.job(glue_context)
    job.init(opts.job_name, _job_arguments(glue, argv, opts.job_name))
    return Runtime(spark=glue_context.spark_session, glue_context=glue_context, job=job)
