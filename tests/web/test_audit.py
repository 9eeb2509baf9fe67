"""The audit log is append-only: entries can be written, never changed or removed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from hicp.web.core.models import AppendOnlyError, AuditEntry, Organization


@pytest.fixture
def entry(organization: Organization) -> AuditEntry:
    return AuditEntry.objects.get(organization=organization, action="create")


def test_an_audit_entry_cannot_be_changed(entry: AuditEntry) -> None:
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    entry.refresh_from_db()
    assert entry.action == "create"


def test_an_audit_entry_cannot_be_deleted(entry: AuditEntry) -> None:
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_organization_or_user_with_history_cannot_be_deleted_behind_the_logs_back(
    owner: User, organization: Organization
) -> None:
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        organization.delete()
    with pytest.raises(ProtectedError):
        owner.delete()
    assert AuditEntry.objects.filter(organization=organization).count() == 1
