# The documented data commands (docs/pretrained.md) into WORK/sst2.h5 (train less 5% for
# selection) and WORK/sst2_glue_dev.h5 (GLUE dev as the valid split), then for M in magnitude
# movement (2 ranks, 1 thread each):
mpirun -np 2 topiary train --recipe short_$M.yaml --output WORK/short_$M
topiary eval WORK/short_$M/best/step-NNNNNNNN.h5 --data WORK/sst2_glue_dev.h5 --json > short_$M.glue_dev.json
