"""The wire: request and response models, and the rules that build them."""
