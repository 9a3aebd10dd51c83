# What a thumbnail is, as the router must know it (`thumbrouter deploy ENV output --env-format`): the
# settings both functions are given, null where the code's default applies. This file needs nothing
# but variables.tf, so the tests evaluate it with real Terraform and feed it to the router's parser.
locals {
  thumbnail_spec = {
    sizes         = var.thumbnail_settings.sizes
    mode          = var.thumbnail_settings.mode
    jpeg_quality  = var.thumbnail_settings.jpeg_quality
    cache_control = var.thumbnail_settings.cache_control
    presets       = var.thumbnail_settings.presets
  }
}
