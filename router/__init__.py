"""thumbrouter's router: download URLs and upload targets for Qiniu and S3."""
