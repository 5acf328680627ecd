"""The scenario file: pydantic models with units in every field, reading YAML with ``extends:`` and
``--set`` overrides, one-line errors naming the key path, structural checks and the JSON schema."""
