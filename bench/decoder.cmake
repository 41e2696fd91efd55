# Decoder benchmarks (bench/README.md): decoder_bench, ours against Zydis and capstone.
include(${PROJECT_SOURCE_DIR}/tests/decoder/diff/oracles.cmake)
if(XA_HAVE_ORACLES)
  add_executable(decoder_bench decoder_bench.c ${PROJECT_SOURCE_DIR}/tests/decoder/diff/elf_text.c
                 ${PROJECT_SOURCE_DIR}/tests/decoder/diff/compare.c)
  target_include_directories(decoder_bench PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(decoder_bench PRIVATE x86assist_static xa_oracles)
endif()
