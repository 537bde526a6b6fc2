"""Forms of the project's own pages (the admin builds its own)."""
from django import forms

from . import models as m


class PhoneMeetingForm(forms.ModelForm):
    """A meeting recorded on a phone: the secretary's organizations only, a photo taken there."""

    class Meta:
        model = m.Meeting
        fields = ["organization", "meeting_type", "held_on", "topic", "present", "on_roll", "attachment", "note"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "attachment": forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf", "capture": "environment"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organization"].queryset = (
            m.Organization.objects.visible_to(user).branches().active().order_by("sort_order", "pk"))
        self.fields["meeting_type"].queryset = m.MeetingType.objects.all()

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.instance.submit_as(self.user, self.instance.stored_decisions())
            except forms.ValidationError as exc:
                self.add_error(None, exc)
        return cleaned
