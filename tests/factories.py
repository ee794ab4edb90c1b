"""factory_boy factories for the core models; each app's tests add their own beside them."""

from __future__ import annotations

from datetime import date

import factory

from post_program.models import Department, PeerSupporter, Physician, RoleAssignment, Site, User

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    name = factory.Sequence(lambda n: f"User {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, password=PASSWORD, **kwargs)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Site {n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    site = factory.SubFactory(SiteFactory)
    name = factory.Sequence(lambda n: f"Department {n}")
    launched_on = date(2020, 1, 1)


class PhysicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Physician

    physician_id = factory.Sequence(lambda n: f"T{n:05d}")
    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Physician {n}")
    email = factory.Sequence(lambda n: f"physician{n}@example.org")


class PeerSupporterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PeerSupporter

    physician = factory.SubFactory(PhysicianFactory)
    activated_on = date(2020, 6, 1)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    user = factory.SubFactory(UserFactory)
    role = RoleAssignment.Role.DIRECTOR
