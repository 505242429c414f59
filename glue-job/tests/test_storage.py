import storage


def test_manifest_uses_the_s3_scheme_for_s3a_output():
    manifest = storage.quicksight_manifest("s3a://bucket/processed/aggregates/x/csv")
    assert manifest == {
        "fileLocations": [{"URIPrefixes": ["s3://bucket/processed/aggregates/x/csv/"]}],
        "globalUploadSettings": {"format": "CSV", "delimiter": ",", "containsHeader": "true"},
    }


def test_join_and_s3_uri():
    assert storage.join("s3://b/processed/", "/aggregates/", "x") == "s3://b/processed/aggregates/x"
    assert storage.s3_uri("s3n://b/k") == "s3://b/k"
    assert storage.s3_uri("/local/path") == "/local/path"


def test_write_text_and_exists(spark, tmp_path):
    target = tmp_path / "a" / "b.json"
    assert not storage.exists(spark, str(target))
    storage.write_text(spark, str(target), "{}\n")
    storage.write_text(spark, str(target), "[]\n")
    assert storage.exists(spark, str(target))
    assert target.read_text() == "[]\n"
