import pytest

from options import JobOptions, OptionsError, parse_args

GLUE_ARGV = [
    "/tmp/job.py",
    "--JOB_ID", "j_123",
    "--JOB_RUN_ID", "jr_456",
    "--job-bookmark-option", "job-bookmark-enable",
    "--TempDir", "s3://bucket/tmp/",
    "--JOB_NAME", "flights-features",
    "--database", "flights_db",
    "--output_path", "s3://bucket/processed/",
]


def test_glue_arguments_select_catalog_mode_with_defaults():
    opts = parse_args(GLUE_ARGV)
    assert opts == JobOptions(
        output_path="s3://bucket/processed",
        job_name="flights-features",
        database="flights_db",
        flights_table="flights",
        airports_table="airports",
        temp_dir="s3://bucket/tmp/",
        run_id="jr_456",
    )
    assert not opts.reads_paths
    assert opts.source_description()["mode"] == "catalog"


def test_paths_mode_with_equals_syntax_and_table_overrides():
    opts = parse_args(
        [
            "job.py",
            "--flights_path=s3a://b/raw/flights/",
            "--airports_path", "s3a://b/raw/airports/",
            "--output_path", "/tmp/out/",
            "--flights_table", "f2",
        ]
    )
    assert opts.reads_paths
    assert opts.flights_path == "s3a://b/raw/flights/"
    assert opts.output_path == "/tmp/out"
    assert opts.flights_table == "f2"
    assert opts.job_name == "flights-features"
    assert opts.source_description() == {
        "mode": "paths",
        "flights_path": "s3a://b/raw/flights/",
        "airports_path": "s3a://b/raw/airports/",
    }


def test_last_occurrence_wins_and_unknown_flags_without_values_are_ignored():
    opts = parse_args(["--verbose", "--database", "a", "--database", "b", "--output_path", "o", "--x"])
    assert opts.database == "b"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--database", "d"], "--output_path is required"),
        (["--output_path", "o"], "give --database"),
        (["--output_path", "o", "--flights_path", "f"], "go together"),
        (["--output_path", "o", "--airports_path", "a", "--database", "d"], "go together"),
        (["--output_path", "  ", "--database", "d"], "must not be empty"),
        (["--database", "d", "--output_path"], "needs a value"),
        (["--database", "d", "--output_path", "o", "--drift_threshold", "0"], "'0' is not a number above 0"),
        (["--database", "d", "--output_path", "o", "--drift_threshold", "nan"], "is not a number above 0"),
        (["--database", "d", "--output_path", "o", "--drift_threshold", "a lot"], "'a lot' is not a number above 0"),
    ],
)
def test_invalid_arguments_are_refused(argv, message):
    with pytest.raises(OptionsError, match=message):
        parse_args(argv)



def test_drift_threshold_is_read_when_given_and_none_otherwise():
    assert parse_args(["--database", "d", "--output_path", "o", "--drift_threshold", "0.25"]).drift_threshold == 0.25
    assert parse_args(["--database", "d", "--output_path", "o"]).drift_threshold is None


def test_the_contract_checksum_is_taken_as_given_and_a_run_id_must_not_leave_its_folder():
    opts = parse_args([*GLUE_ARGV, "--contract_sha256", "ab" * 32])
    assert (opts.run_id, opts.contract_sha256) == ("jr_456", "ab" * 32)
    assert parse_args(["job.py", "--output_path", "/o", "--flights_path", "/f", "--airports_path", "/a"]).run_id is None
    for bad in ("../x", "jr 1", "a/b"):
        with pytest.raises(OptionsError, match="is not a run id"):
            parse_args([*GLUE_ARGV, "--JOB_RUN_ID", bad])
