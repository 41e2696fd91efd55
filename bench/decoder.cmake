# Decoder benchmarks (bench/README.md): decoder_bench, ours against Zydis and capstone.
include(${PROJECT_SOURCE_DIR}/tests/decoder/diff/oracles.cmake)
if(XA_HAVE_ORACLES)
  add_executable(decoder_bench decoder_bench.c ${PROJECT_SOURCE_DIR}/tests/decoder/diff/elf_text.c
                 ${PROJECT_SOURCE_DIR}/tests/decoder/diff/compare.c)
  target_include_directories(decoder_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(decoder_bench PRIVATE x86assist_static xa_oracles)
endif()

# The behaviour checker for decoder changes (bench/README.md): run by hand, not a test.
add_executable(decoder_check decoder_check.c ${PROJECT_SOURCE_DIR}/tests/decoder/diff/elf_text.c)
target_include_directories(decoder_check PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_link_libraries(decoder_check PRIVATE x86assist_static)
