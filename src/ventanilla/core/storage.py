from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, pre-compressed static files, with ES module imports rewritten too, so that
    `import … from './govuk-frontend.min.js'` points at the hashed, cacheable copy."""

    support_js_module_import_aggregation = True
