# The same data files as ../pretrained_short (the documented prepare commands of docs/pretrained.md:
# WORK/sst2.h5, train less 5% for selection; WORK/sst2_glue_dev.h5, GLUE dev as the valid split),
# then for M in fisher magnitude (2 ranks, 1 thread each):
mpirun --bind-to none -np 2 topiary train --recipe short_$M.yaml --output WORK/short_$M
topiary eval WORK/short_$M/best/step-00000600.h5 --data WORK/sst2_glue_dev.h5 --json > short_$M.glue_dev.json
