"""The pure core: grids, tasks, augmentations, codec, scoring. Python + numpy only."""
