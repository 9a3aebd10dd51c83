# State written before the thumbnail-stack module existed kept these calls at the root; the moves
# keep those resources (and the adopted bucket's settings) instead of destroying and recreating them.
# They can go once every state of this environment has been applied with this layout.

moved {
  from = module.buckets
  to   = module.thumbnails.module.buckets
}

moved {
  from = module.thumbnailer
  to   = module.thumbnails.module.thumbnailer
}

moved {
  from = module.on_demand
  to   = module.thumbnails.module.on_demand
}

moved {
  from = module.notification
  to   = module.thumbnails.module.notification
}
