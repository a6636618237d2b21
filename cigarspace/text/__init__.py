"""Small text grammars shared by the apps that read what people write about cigars
(shop pages, customs price-list labels): sizes and pack phrases. No database, no app
imports: packagings come out as plain words equal to ``catalogue.models.Packaging``
values."""
