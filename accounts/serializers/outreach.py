"""Input and output of the contact form and the newsletter (CONTRACT.md §12)."""

from rest_framework import serializers

from accounts.models import ContactMessage, NewsletterSource, NewsletterSubscription
from accounts.serializers.fields import PhoneField


class ContactMessageInputSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=2, max_length=100)
    email = serializers.EmailField(max_length=254)
    phone = PhoneField()
    subject = serializers.CharField(min_length=3, max_length=200)
    message = serializers.CharField(min_length=10, max_length=5000)


class ContactMessageSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)

    class Meta:
        model = ContactMessage
        fields = ["id", "reference", "created_at"]


class NewsletterSubscribeSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    source = serializers.ChoiceField(choices=NewsletterSource.choices, default=NewsletterSource.FOOTER)


class NewsletterEmailSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class NewsletterSubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = NewsletterSubscription
        fields = ["email", "subscribed_at"]
