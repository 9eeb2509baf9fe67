"""End-of-life judgments for OS names as scanners and inventories write them."""

from __future__ import annotations

import datetime as dt

import pytest

from hicp.evidence.os_lifecycle import Support, judge
from hicp.evidence.os_names import recognise
from hicp.evidence.reference_data import os_lifecycle_data

AS_OF = dt.date(2026, 9, 1)
EOL, OK, UNKNOWN = Support.END_OF_LIFE, Support.SUPPORTED, Support.UNKNOWN

# (OS name as written by a scanner or inventory, product, cycle, judgment on AS_OF)
TABLE = [
    # Nessus "operating-system" host property
    ("Linux Kernel 3.10.0 on CentOS Linux release 7.9.2009 (Core)", "centos", "7", EOL),
    ("Linux Kernel 2.6.32-754.el6.x86_64 on CentOS release 6.10 (Final)", "centos", "6", EOL),
    ("Linux Kernel 4.18.0 on CentOS Stream release 8", "centos-stream", "8", EOL),
    ("CentOS Stream 8", "centos-stream", "8", EOL),
    ("CentOS Stream 9", "centos-stream", "9", OK),
    ("Linux Kernel 3.10.0 on Red Hat Enterprise Linux Server release 7.9", "rhel", "7", EOL),
    ("Red Hat Enterprise Linux Server release 7.9 (Maipo)", "rhel", "7", EOL),
    ("Red Hat Enterprise Linux 8.10 (Ootpa)", "rhel", "8", OK),
    ("Red Hat Enterprise Linux release 9.4 (Plow)", "rhel", "9", OK),
    ("Microsoft Windows 10 Pro 22H2 Build 19045", "windows", "10-22h2", EOL),
    ("Microsoft Windows 10 Enterprise Build 19044", "windows", "10-21h2-e", EOL),
    ("Microsoft Windows 10 Enterprise LTSC 2019", "windows", "10-1809-e-lts", OK),
    ("Microsoft Windows 10 Enterprise LTSC 2021", "windows", "10-21h2-e-lts", OK),
    ("Microsoft Windows 10 IoT Enterprise LTSC 2021", "windows", "10-21h2-iot-lts", OK),
    ("Microsoft Windows 10 Enterprise 2016 LTSB", "windows", "10-1607-e-lts", OK),
    ("Microsoft Windows 10 Pro", "windows", None, EOL),
    ("Microsoft Windows 11 Pro 23H2", "windows", "11-23h2-w", EOL),
    ("Microsoft Windows 11 Enterprise 24H2", "windows", "11-24h2-e", OK),
    ("Microsoft Windows 11 Pro Build 26100", "windows", "11-24h2-w", OK),
    ("Microsoft Windows 11 Pro", "windows", None, UNKNOWN),
    ("Microsoft Windows 7 Professional Service Pack 1", "windows", "7", EOL),
    ("Microsoft Windows XP Professional Service Pack 3", "windows", "xp", EOL),
    ("Microsoft Windows 8.1 Pro", "windows", "8.1", EOL),
    ("Windows Server 2012 R2 Standard", "windows-server", "2012-r2", EOL),
    ("Microsoft Windows Server 2012 R2 Datacenter", "windows-server", "2012-r2", EOL),
    ("Microsoft Windows Server 2008 R2 Enterprise SP1", "windows-server", "2008-r2-sp1", EOL),
    ("Microsoft Windows Server 2003 Service Pack 2", "windows-server", "2003-sp2", EOL),
    ("Microsoft Windows Server 2016 Standard", "windows-server", "2016", OK),
    ("Microsoft Windows Server 2019 Datacenter Build 17763", "windows-server", "2019", OK),
    ("Microsoft Windows Server 2022 Standard", "windows-server", "2022", OK),
    ("Linux Kernel 5.4 on Ubuntu 20.04", "ubuntu", "20.04", EOL),
    ("Ubuntu 20.04.6 LTS", "ubuntu", "20.04", EOL),
    ("Ubuntu 22.04.4 LTS (Jammy Jellyfish)", "ubuntu", "22.04", OK),
    ("Linux Kernel 6.8 on Ubuntu 24.04", "ubuntu", "24.04", OK),
    ("Ubuntu 18.04.6 LTS", "ubuntu", "18.04", EOL),
    ("Debian GNU/Linux 10 (buster)", "debian", "10", EOL),
    ("Linux Kernel 5.10 on Debian 11.9", "debian", "11", EOL),
    ("Debian GNU/Linux 12 (bookworm)", "debian", "12", EOL),
    ("Debian GNU/Linux 13 (trixie)", "debian", "13", OK),
    ("macOS 13.6 Ventura", "macos", "13", EOL),
    ("Mac OS X 10.15.7 Catalina", "macos", "10.15", EOL),
    ("Apple Mac OS X 10.15", "macos", "10.15", EOL),
    ("Apple Mac OS X", "macos", None, EOL),
    ("macOS 15.6 Sequoia", "macos", "15", OK),
    ("macOS Sonoma", "macos", "14", OK),
    ("VMware ESXi 6.7.0 build-17700523", "vmware-esxi", "6.7", EOL),
    ("VMware ESXi 8.0.2", "vmware-esxi", "8.0", OK),
    ("FortiOS 6.4.9", "fortios", "6.4", EOL),
    ("SUSE Linux Enterprise Server 12 SP5", "sles", "12.5", EOL),
    ("SUSE Linux Enterprise Server 15 SP7", "sles", "15.7", OK),
    ("Rocky Linux 8.9 (Green Obsidian)", "rocky-linux", "8", OK),
    ("AlmaLinux 9.4 (Seafoam Ocelot)", "almalinux", "9", OK),
    ("Oracle Linux Server release 7.9", "oracle-linux", "7", None),
    ("Amazon Linux 2", "amazon-linux", "2", EOL),
    ("Amazon Linux AMI 2018.03", "amazon-linux", "2018.03", EOL),
    ("Fedora Linux 38 (Workstation Edition)", "fedora", "38", EOL),
    ("FreeBSD 13.2-RELEASE", "freebsd", "13.2", EOL),
    ("Android 11", "android", "11", None),
    ("Apple iOS 15.8", "ios", "15", None),
    # OpenVAS/Greenbone best OS CPE and text
    ("cpe:/o:centos:centos:7", "centos", "7", EOL),
    ("cpe:/o:canonical:ubuntu_linux:20.04", "ubuntu", "20.04", EOL),
    ("cpe:/o:debian:debian_linux:10", "debian", "10", EOL),
    ("cpe:/o:redhat:enterprise_linux:7", "rhel", "7", EOL),
    ("cpe:/o:microsoft:windows_server_2012:r2", "windows-server", "2012-r2", EOL),
    ("cpe:/o:microsoft:windows_10", "windows", None, EOL),
    ("cpe:/o:apple:mac_os_x:10.14", "macos", "10.14", EOL),
    ("cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*", "ubuntu", "22.04", OK),
    # Qualys "OS" column
    ("Windows Server 2016 Datacenter 64 bit Edition Version 1607", "windows-server", "2016", OK),
    ("Windows 10 Enterprise 64 bit Edition Version 22H2", "windows", "10-22h2", EOL),
    ("Windows 10 Enterprise 64 bit Edition Version 21H2", "windows", "10-21h2-e", EOL),
    ("CentOS Linux 7.9.2009", "centos", "7", EOL),
    ("Ubuntu Linux 20.04.6", "ubuntu", "20.04", EOL),
    ("Red Hat Enterprise Linux 7.9", "rhel", "7", EOL),
    # Inventory exports (name and version joined)
    ("Windows 10 Pro 22H2", "windows", "10-22h2", EOL),
    ("CentOS 7", "centos", "7", EOL),
    ("Debian 10", "debian", "10", EOL),
]
UNRECOGNISED = [
    "Linux Kernel 3.10",
    "Linux 2.x",
    "CISCO PIX 7.0",
    "Microsoft Windows",
    "Embedded Linux",
    "Linux Kernel 2.6 on Ubuntu 8.04 (hardy)\nLinux Kernel 2.6 on Ubuntu 10.04 (lucid)",
    "",
]


@pytest.mark.parametrize(("raw", "product", "cycle", "support"), TABLE)
def test_scanner_os_names_are_judged_against_the_lifecycle_data(
    raw: str, product: str, cycle: str | None, support: Support | None
) -> None:
    os_id = recognise(raw)
    assert os_id is not None and os_id.product == product
    if cycle is not None:
        assert cycle in os_id.cycles
    if support is not None:
        assert judge(os_lifecycle_data(), os_id, AS_OF, raw).support is support


def test_the_table_has_at_least_fifty_real_shaped_names() -> None:
    assert len(TABLE) >= 50


@pytest.mark.parametrize("raw", UNRECOGNISED)
def test_names_without_a_product_and_release_are_unknown_never_supported(raw: str) -> None:
    judgment = judge(os_lifecycle_data(), recognise(raw), AS_OF, raw)
    assert judgment.support is Support.UNKNOWN


def test_a_release_missing_from_the_data_is_unknown() -> None:
    raw = "Microsoft Windows 10 IoT Enterprise LTSC 2019"
    judgment = judge(os_lifecycle_data(), recognise(raw), AS_OF, raw)
    assert judgment.support is Support.UNKNOWN


def test_windows_10_22h2_ended_on_14_october_2025() -> None:
    raw = "Microsoft Windows 10 Pro 22H2 Build 19045"
    data, os_id = os_lifecycle_data(), recognise(raw)
    assert judge(data, os_id, dt.date(2025, 10, 13), raw).support is Support.SUPPORTED
    ended = judge(data, os_id, dt.date(2025, 10, 14), raw)
    assert ended.support is Support.END_OF_LIFE
    assert ended.end_of_life == dt.date(2025, 10, 14)
    assert "2025-10-14" in ended.reason


def test_the_end_of_life_date_depends_on_the_assessment_date() -> None:
    raw = "Ubuntu 22.04.4 LTS"
    data, os_id = os_lifecycle_data(), recognise(raw)
    assert judge(data, os_id, dt.date(2026, 1, 1), raw).support is Support.SUPPORTED
    assert judge(data, os_id, dt.date(2028, 1, 1), raw).support is Support.END_OF_LIFE
