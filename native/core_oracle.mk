# Builds the libbpf CO-RE differential oracle (dev/test tool; links Debian's libbpf.a).
#   make -f native/core_oracle.mk OUT=/tmp/dir
OUT ?= native/out
CC ?= gcc
$(OUT)/core_oracle: native/core_oracle.c native/core_common.h
	@mkdir -p $(OUT)
	$(CC) -O2 -g -Wall -o $@ $< -l:libbpf.a -lelf -lz
