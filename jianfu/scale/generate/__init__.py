"""The scale data generator's stages, one module each (see jianfu.scale.sizes for what they write)."""
