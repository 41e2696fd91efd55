# SPDX-License-Identifier: BSD-2-Clause
# MMU fuzz target: xa_walk / xa_translate against the reference model.
#   ./mmu_walk -max_len=16384 fuzz/corpus/mmu_walk/
xa_add_fuzzer(mmu_walk ${CMAKE_CURRENT_SOURCE_DIR}/mmu_walk.c
              ${PROJECT_SOURCE_DIR}/tests/mmu/model.c ${PROJECT_SOURCE_DIR}/tests/mmu/testmem.c
              ${PROJECT_SOURCE_DIR}/tests/mmu/check.c)
