# Runs `${ASR} explain ${INPUT}` and fails unless it exits with ${WANT_CODE} and says why.
execute_process(COMMAND ${ASR} explain ${INPUT} RESULT_VARIABLE code OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
if(NOT code EQUAL WANT_CODE)
  message(FATAL_ERROR "asr explain exited ${code}, want ${WANT_CODE}\nstdout: ${out}\nstderr: ${err}")
endif()
if(err STREQUAL "")
  message(FATAL_ERROR "asr explain printed no reason on stderr")
endif()
