# The same data files as ../pretrained_short (the documented prepare commands of docs/pretrained.md:
# WORK/sst2.h5, train less 5% for selection; WORK/sst2_glue_dev.h5, GLUE dev as the valid split),
# then (2 ranks, 1 thread each):
mpirun --bind-to none -np 2 topiary train --recipe short_fisher.yaml --output WORK/short_fisher
topiary eval WORK/short_fisher/best/step-00000600.h5 --data WORK/sst2_glue_dev.h5 --json > short_fisher.glue_dev.json
