"""The DNS importer: SPF, DKIM and DMARC per mail domain from zone files and dig output."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest

from hicp.errors import ImportError_
from hicp.evidence.base import detect
from hicp.evidence.dns import IMPORTER
from hicp.evidence.models import DmarcPolicy, EmailDomain
from hicp.evidence.store import EvidenceStore
from tests.evidence import files
from tests.evidence.files import (
    ASSETS,
    DIG,
    DNS_EXPORTS,
    IDENTITY_GENERIC,
    OKTA,
    SAMPLES,
    SCANNER_EXPORTS,
    ZONE,
    error_text,
    needs_samples,
)

OTHER_FORMATS = [ASSETS, IDENTITY_GENERIC, OKTA, *SCANNER_EXPORTS]
sniff = partial(files.sniff, IMPORTER)
write = partial(files.write, name="example.zone")


def read(path: Path) -> dict[str, EmailDomain]:
    domains = list(IMPORTER.read(path))
    assert [d.domain for d in domains] == sorted(d.domain for d in domains)
    return {d.domain: d for d in domains}


def test_the_zone_file_yields_one_record_per_mail_domain() -> None:
    domains = read(ZONE)
    assert set(domains) == {
        "northside-clinic.example",
        "billing.northside-clinic.example",
        "fax.northside-clinic.example",
    }
    assert domains["northside-clinic.example"] == EmailDomain(
        domain="northside-clinic.example",
        spf="v=spf1 include:spf.protection.outlook.example ip4:203.0.113.25 -all",
        spf_all="-all",
        dkim_selectors=("ehr2024", "selector1", "selector2"),
        dmarc="v=DMARC1; p=none; rua=mailto:dmarc-reports@northside-clinic.example; pct=100",
        dmarc_policy=DmarcPolicy.NONE,
    )


def test_a_subdomain_with_soft_fail_spf_and_no_dmarc_is_its_own_mail_domain() -> None:
    billing = read(ZONE)["billing.northside-clinic.example"]
    assert (billing.spf_all, billing.dmarc, billing.dmarc_policy) == ("~all", None, None)
    assert billing.dkim_selectors == ()


def test_a_domain_that_receives_mail_but_publishes_nothing_is_listed_empty() -> None:
    fax = read(ZONE)["fax.northside-clinic.example"]
    assert fax == EmailDomain(domain="fax.northside-clinic.example")


def test_dig_answers_from_several_queries_combine_per_domain() -> None:
    domains = read(DIG)
    assert set(domains) == {"southside-imaging.example", "westside-pharmacy.example"}
    southside = domains["southside-imaging.example"]
    assert (southside.spf_all, southside.dmarc_policy) == ("-all", DmarcPolicy.REJECT)
    assert southside.dkim_selectors == ("selector1",)  # via CNAME, not the provider's domain
    westside = domains["westside-pharmacy.example"]
    assert (westside.spf_all, westside.dmarc) == ("~all", None)


def test_dig_plus_short_answer_lines_read_like_a_zone(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'clinic.example.\t300\tIN\tTXT\t"v=spf1 mx ?all"\n'
        '_dmarc.clinic.example. 300 IN TXT "v=DMARC1; p=quarantine"\n',
        name="answers.txt",
    )
    assert sniff(path)
    clinic = read(path)["clinic.example"]
    assert (clinic.spf_all, clinic.dmarc_policy) == ("?all", DmarcPolicy.QUARANTINE)


@pytest.mark.parametrize(
    ("spf", "qualifier"),
    [("v=spf1 mx all", "+all"), ("v=spf1 +all", "+all"), ("v=spf1 mx -ALL", "-all"),
     ("v=spf1 redirect=_spf.host.example", None)],
)  # fmt: skip
def test_the_spf_all_qualifier_is_read_from_the_last_all_term(
    tmp_path: Path, spf: str, qualifier: str | None
) -> None:
    path = write(tmp_path, f'$ORIGIN clinic.example.\n@ IN TXT "{spf}"\n')
    assert read(path)["clinic.example"].spf_all == qualifier


def test_a_dmarc_record_without_a_valid_policy_has_none(tmp_path: Path) -> None:
    path = write(tmp_path, '$ORIGIN clinic.example.\n_dmarc IN TXT "v=DMARC1; p=monitor"\n')
    assert read(path)["clinic.example"].dmarc_policy is None


def test_a_zone_without_origin_takes_it_from_the_soa_owner(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "clinic.example. 3600 IN SOA ns1.clinic.example. hostmaster.clinic.example. "
        "1 7200 3600 1209600 300\n"
        '_dmarc 3600 IN TXT "v=DMARC1; " "p=reject"\n',
    )
    assert read(path)["clinic.example"].dmarc_policy is DmarcPolicy.REJECT


def test_escaped_quotes_and_semicolons_inside_txt_strings_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '$ORIGIN clinic.example.\nk1._domainkey IN TXT "v=DKIM1; n=\\"key\\" one\\059; p=MIIB"\n',
    )
    assert read(path)["clinic.example"].dkim_selectors == ("k1",)


def test_a_relative_name_without_an_origin_is_an_error_saying_what_to_add(tmp_path: Path) -> None:
    path = write(tmp_path, '_dmarc IN TXT "v=DMARC1; p=none"\n')
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == (
        f"{path}:1: the name '_dmarc' is relative but no $ORIGIN comes before it: "
        "add a line '$ORIGIN example.org.' (your domain) at the top"
    )


def test_two_different_spf_records_for_one_name_are_an_error_naming_both_lines(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        '$ORIGIN clinic.example.\n@ IN TXT "v=spf1 mx -all"\nwww IN A 192.0.2.1\n'
        '@ IN TXT "v=spf1 include:mailer.example ~all"\n',
    )
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error).startswith(
        f"{path}:4: clinic.example has two SPF records (lines 2 and 4)"
    )


def test_the_same_record_seen_twice_is_not_a_conflict(tmp_path: Path) -> None:
    record = 'clinic.example. 300 IN TXT "v=spf1 mx -all"\n'
    assert read(write(tmp_path, record + record))["clinic.example"].spf_all == "-all"


def test_a_truncated_zone_file_is_an_error_with_its_line(tmp_path: Path) -> None:
    text = ZONE.read_text(encoding="utf-8")
    path = write(tmp_path, text[: text.index('"uQk8d0')])
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == (f"{path}:18: a '(' is never closed (is the file complete?)")


def test_a_quoted_string_cut_off_is_an_error_with_its_line(tmp_path: Path) -> None:
    text = DIG.read_text(encoding="utf-8")
    path = write(tmp_path, text[: text.index("include:_spf.mailhost")], name="cut.dig")
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == (
        f"{path}:14: a quoted string is never closed (is the file complete?)"
    )


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.zone"
    path.write_bytes('$ORIGIN clinic.example.\n@ IN TXT "Clínica"\n'.encode("latin-1"))
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == f"{path}:2: not UTF-8 (save/export as UTF-8)"


def test_text_that_is_not_a_record_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, '$ORIGIN clinic.example.\n@ IN "v=spf1 -all"\n')
    with pytest.raises(ImportError_, match=r":2: not a DNS record: expected a type such as TXT"):
        list(IMPORTER.read(path))


def test_dig_short_output_without_names_is_refused_saying_why(tmp_path: Path) -> None:
    path = write(tmp_path, '"v=spf1 mx -all"\n', name="short.txt")
    with pytest.raises(ImportError_, match=r":1: a record must start with its name"):
        list(IMPORTER.read(path))


def test_include_directives_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "$ORIGIN clinic.example.\n$INCLUDE /etc/passwd\n")
    with pytest.raises(ImportError_, match=r":2: \$INCLUDE is not followed"):
        list(IMPORTER.read(path))


def test_progress_ends_at_the_file_size() -> None:
    seen: list[int] = []
    list(IMPORTER.read(ZONE, seen.append))
    assert seen[-1] == ZONE.stat().st_size


@pytest.mark.parametrize("path", DNS_EXPORTS)
def test_sniff_and_detection_accept_zone_files_and_dig_output(path: Path) -> None:
    assert sniff(path)
    assert detect(path).name == "dns"


@pytest.mark.parametrize("path", OTHER_FORMATS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_sniff_rejects_other_formats(path: Path) -> None:
    assert not sniff(path)


@needs_samples
def test_sniff_rejects_the_real_scanner_samples() -> None:
    assert not any(sniff(path) for path in SAMPLES.iterdir())


def test_storing_mail_domains_twice_does_not_double_count(tmp_path: Path) -> None:
    with EvidenceStore(tmp_path / "e.db") as store:
        assert store.store(ZONE, "dns", IMPORTER.read(ZONE)).records == 3
        assert store.store(DIG, "dns", IMPORTER.read(DIG)).records == 2
        assert store.store(ZONE, "dns", IMPORTER.read(ZONE)).already_imported
        assert store.db.execute("SELECT count(*) FROM email_domains").fetchone()[0] == 5


def test_a_zone_file_cut_in_the_middle_of_a_record_is_an_error(tmp_path: Path) -> None:
    text = ZONE.read_text(encoding="utf-8")
    cut = text.rstrip("\n")
    cut = cut[: cut.rindex(" ") + 3]  # the last record loses the end of its data
    path = write(tmp_path, cut)
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    lines = cut.count("\n") + 1
    assert error_text(error) == (
        f"{path}:{lines}: the file ends in the middle of this line, so it may be truncated; "
        "if it is complete, end it with a line break"
    )


def test_dig_output_whose_last_run_lost_its_footer_is_an_error(tmp_path: Path) -> None:
    text = DIG.read_text(encoding="utf-8")
    last = text.rindex("; <<>> DiG")
    cut = text[: text.index(";; Query time", last)]
    path = write(tmp_path, cut)
    with pytest.raises(ImportError_) as error:
        list(IMPORTER.read(path))
    assert error_text(error) == (
        f"{path}:{text[:last].count(chr(10)) + 1}: this dig run has no closing ';; MSG SIZE' "
        "line, unlike the runs before it: the file may be truncated (run dig again and save "
        "its whole output)"
    )


def test_dig_output_without_statistics_is_complete_as_it_is(tmp_path: Path) -> None:
    text = DIG.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith((";; Query", ";; MSG"))]
    path = write(tmp_path, "\n".join(kept) + "\n")
    assert list(IMPORTER.read(path)) == list(IMPORTER.read(DIG))
