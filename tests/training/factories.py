"""factory_boy factories for the training models."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from tests.factories import PhysicianFactory, UserFactory
from training.models import (
    Course,
    CourseKind,
    Enrollment,
    RefresherReminder,
    TrainingCompletion,
    TrainingSession,
)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    name = factory.Sequence(lambda n: f"Course {n}")
    kind = CourseKind.INITIAL
    hours = Decimal("8.0")
    topics = "Listening\nEscalation"


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=4))
    location = "Room 101"
    facilitator = factory.SubFactory(UserFactory)
    capacity = 10


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    session = factory.SubFactory(TrainingSessionFactory)
    physician = factory.SubFactory(PhysicianFactory)
    status = Enrollment.Status.SIGNED_UP


class TrainingCompletionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingCompletion

    physician = factory.SubFactory(PhysicianFactory)
    course = CourseKind.INITIAL
    completed_on = date(2020, 5, 1)
    source = TrainingCompletion.Source.IMPORT


class RefresherReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RefresherReminder

    due_on = date(2022, 5, 1)
    remind_at = factory.LazyFunction(timezone.now)
