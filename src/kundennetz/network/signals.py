"""Keeps the stored per-account analysis in step with relations, contacts, involvements and interactions."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from kundennetz.accounts.models import Contact, Opportunity, OpportunityContact
from kundennetz.interactions.models import Interaction

from . import services
from .models import Relation


@receiver(post_save, sender=Relation)
@receiver(post_save, sender=Contact)
@receiver(post_save, sender=Opportunity)
def _record_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        services.touched(instance.account_id)


@receiver(post_delete, sender=Relation)
@receiver(post_delete, sender=Contact)
@receiver(post_delete, sender=Opportunity)
def _record_deleted(sender, instance, **kwargs):
    # A real delete (not the trash) is usually part of deleting the whole account: analyse what is left
    # once the transaction is through, never in the middle of the cascade.
    account_id = instance.account_id
    transaction.on_commit(lambda: services.touched(account_id))


@receiver(post_save, sender=OpportunityContact)
def _involvement_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        account_id = Opportunity.all_objects.filter(pk=instance.opportunity_id).values_list(
            "account_id", flat=True).first()
        services.touched(account_id)


@receiver(post_delete, sender=OpportunityContact)
def _involvement_deleted(sender, instance, **kwargs):
    opportunity_id = instance.opportunity_id

    def later():
        services.touched(Opportunity.all_objects.filter(pk=opportunity_id).values_list("account_id", flat=True)
                         .first())

    transaction.on_commit(later)


@receiver(m2m_changed, sender=Interaction.our_people.through)
@receiver(m2m_changed, sender=Interaction.contacts.through)
def _interaction_people_changed(sender, instance, action, reverse=False, **kwargs):
    if action.startswith("post_") and not reverse and isinstance(instance, Interaction):
        if Relation.objects.filter(account_id=instance.account_id, source=Relation.Source.INTERACTIONS).exists():
            services.touched(instance.account_id)


@receiver(post_save, sender=Interaction)
def _interaction_saved(sender, instance, raw=False, **kwargs):
    if not raw and Relation.objects.filter(account_id=instance.account_id,
                                           source=Relation.Source.INTERACTIONS).exists():
        services.touched(instance.account_id)


@receiver(post_save, sender="imports.ImportBatch")
def _import_finished(sender, instance, raw=False, **kwargs):
    """Imports write with bulk operations, which send no signals: analyse the accounts they touched."""
    if raw or instance.status not in ("committed", "undone"):
        return
    from kundennetz.imports.models import ImportedRecord

    models = {"accounts.contact": Contact, "accounts.opportunity": Opportunity,
              "interactions.interaction": Interaction}
    batch_id = instance.pk

    def later():
        accounts = set()
        for label, model in models.items():
            touched = ImportedRecord.objects.filter(batch_id=batch_id, model=label).values("object_id")
            accounts.update(model.all_objects.filter(pk__in=touched).values_list("account_id", flat=True)
                            .distinct())
        if accounts:
            services.refresh_accounts(accounts)

    transaction.on_commit(later)
